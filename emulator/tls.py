"""A throw-away certificate authority and a server certificate for the COS and API host names."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# TLS wildcards cover one label, so each region's bucket hosts need their own name.
REGIONS = (
    "ap-guangzhou",
    "ap-shanghai",
    "ap-beijing",
    "ap-nanjing",
    "ap-chengdu",
    "ap-chongqing",
    "ap-hongkong",
    "ap-singapore",
    "ap-tokyo",
    "na-siliconvalley",
    "na-ashburn",
    "eu-frankfurt",
)
API_HOSTS = ("cam.tencentcloudapi.com", "sts.tencentcloudapi.com", "*.tencentcloudapi.com")


def host_names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.DNSName("service.cos.myqcloud.com")]
    for region in REGIONS:
        names += [x509.DNSName(f"cos.{region}.myqcloud.com"), x509.DNSName(f"*.cos.{region}.myqcloud.com")]
    names += [x509.DNSName(name) for name in API_HOSTS]
    addresses = {"127.0.0.1", "::1", host}
    for address in sorted(addresses):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(address)))
        except ValueError:
            names.append(x509.DNSName(address))
    return names


def certificate(
    subject: str, issuer: x509.Name | None, public_key, signing_key, is_ca: bool, names: list[x509.GeneralName]
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    subject_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer or subject_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if is_ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def write_certificates(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """(CA file, server certificate chain, server key) written under directory."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("cosops emulator CA", None, ca_key.public_key(), ca_key, True, [])
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = certificate("cosops emulator", ca.subject, server_key.public_key(), ca_key, False, host_names(host))
    ca_file, chain_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server-key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_file.write_bytes(
        server.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    return ca_file, chain_file, key_file


def server_context(directory: Path, host: str) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context and the CA file clients should trust."""
    ca_file, chain_file, key_file = write_certificates(directory, host)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain_file, key_file)
    return context, ca_file
