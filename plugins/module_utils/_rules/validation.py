# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error every rule raises. The lowest file of the collection: it imports nothing, and everything may import it."""


class ValidationError(ValueError):
    """Input that breaks a rule; raised before any API call, its message one sentence naming the value and the rule."""
