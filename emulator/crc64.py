"""The CRC-64 COS keeps for every object and answers in x-cos-hash-crc64ecma (product 436/40334): ECMA-182's
polynomial, reflected, all-ones start and end (CRC-64/XZ), as decimal text. cos-python-sdk-v5 checks a download with
crcmod's function of the same parameters; crcmod's C extension computes it here too.

A completed multipart upload's value is its parts' values combined, as COS answers it when every part has one; the
combination (zlib's crc32_combine, for 64 bits) needs each part's value and length, not its bytes again.
"""

from __future__ import annotations

import functools
from typing import Iterable

import crcmod

# ECMA-182, reflected: the polynomial crcmod takes with its x^64 term, and the bit-reversed form the combination uses.
POLYNOMIAL = 0x142F0E1EBA9EA3693
REFLECTED = 0xC96C5795D7870F42
ALL_ONES = 0xFFFFFFFFFFFFFFFF

checksum = crcmod.mkCrcFun(POLYNOMIAL, initCrc=0, xorOut=ALL_ONES, rev=True)


def of_chunks(chunks: Iterable[bytes]) -> int:
    value = 0
    for chunk in chunks:
        value = checksum(chunk, value)
    return value


def _times(matrix: tuple[int, ...], vector: int) -> int:
    """A GF(2) 64x64 matrix (a column per bit) times a vector."""
    product, row = 0, 0
    while vector:
        if vector & 1:
            product ^= matrix[row]
        vector >>= 1
        row += 1
    return product


def _after(second: tuple[int, ...], first: tuple[int, ...]) -> tuple[int, ...]:
    """The matrix that applies `first`, then `second`."""
    return tuple(_times(second, column) for column in first)


def _squared(matrix: tuple[int, ...]) -> tuple[int, ...]:
    return _after(matrix, matrix)


ONE_ZERO_BIT = (REFLECTED,) + tuple(1 << bit for bit in range(63))
ONE_ZERO_BYTE = _squared(_squared(_squared(ONE_ZERO_BIT)))  # two, four, eight zero bits
IDENTITY = tuple(1 << bit for bit in range(64))


@functools.lru_cache(maxsize=64)
def _past_zeros(length: int) -> tuple[int, ...]:
    """The matrix that moves a CRC register past `length` zero bytes; parts mostly share a length, so it is kept."""
    step = ONE_ZERO_BYTE
    result = IDENTITY
    while length:
        if length & 1:
            result = _after(step, result)
        length >>= 1
        if length:
            step = _squared(step)
    return result


def combine(first: int, second: int, second_length: int) -> int:
    """The CRC of A followed by B, from CRC(A), CRC(B) and B's length in bytes."""
    return _times(_past_zeros(second_length), first) ^ second


def combine_all(parts: Iterable[tuple[int, int]]) -> int:
    """The CRC of consecutive parts from their (CRC, length) pairs."""
    value = 0
    for part_value, length in parts:
        value = combine(value, part_value, length)
    return value
