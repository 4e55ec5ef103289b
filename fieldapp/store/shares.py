"""The recovery key in k-of-n shares (docs/DESIGN.md 5): SLIP-39 words from the `shamir-mnemonic` library.

The recovery key is an age X25519 identity, `AGE-SECRET-KEY-1…`: 32 secret bytes in Bech32. The
32 bytes are the SLIP-39 master secret; each share is 33 words. Any k shares give the bytes back,
and so the key. A share is typed from paper: any case, any spacing, and the first four letters
of each word are enough (SLIP-39 words differ in their first four letters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shamir_mnemonic import MnemonicError, combine_mnemonics, generate_mnemonics
from shamir_mnemonic.share import Share
from shamir_mnemonic.wordlist import WORDLIST

from fieldapp.errors import VaultError
from fieldapp.i18n import _, ngettext

KEY_HRP = "AGE-SECRET-KEY-"
SHARE_WORDS = 33  # for a 256-bit secret
MAX_SHARES = 16
_BY_PREFIX = {word[:4]: word for word in WORDLIST}

# -- Bech32 (BIP 173), the text form of age keys: an encoding with a checksum, not a cipher ------
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for index in range(5):
            check ^= generator[index] if (top >> index) & 1 else 0
    return check


def _expand(hrp: str) -> list[int]:
    return [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]


def _convert(data, from_bits: int, to_bits: int, pad: bool) -> list[int] | None:
    accumulator, bits, result, top = 0, 0, [], (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & top)
    if pad and bits:
        result.append((accumulator << (to_bits - bits)) & top)
    elif not pad and (bits >= from_bits or (accumulator << (to_bits - bits)) & top):
        return None
    return result


def key_to_bytes(recovery_key: str) -> bytes:
    text = recovery_key.strip().lower()
    hrp, _sep, data = text.rpartition("1")
    if hrp != KEY_HRP.lower() or not data or any(char not in _CHARSET for char in data):
        raise VaultError(_("This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1."))
    values = [_CHARSET.index(char) for char in data]
    if _polymod(_expand(hrp) + values) != 1:
        raise VaultError(_("This recovery key has a typing error (its check characters do not match)."))
    decoded = _convert(values[:-6], 5, 8, False)
    if decoded is None or len(decoded) != 32:
        raise VaultError(_("This is not a recovery key: it is one line starting with AGE-SECRET-KEY-1."))
    return bytes(decoded)


def bytes_to_key(secret: bytes) -> str:
    hrp = KEY_HRP.lower()
    values = _convert(secret, 8, 5, True)
    checksum = _polymod(_expand(hrp) + values + [0] * 6) ^ 1
    values += [(checksum >> 5 * (5 - index)) & 31 for index in range(6)]
    return (hrp + "1" + "".join(_CHARSET[value] for value in values)).upper()


# -- shares --------------------------------------------------------------------------------------
def split_recovery_key(recovery_key: str, threshold: int, count: int) -> list[str]:
    """`count` shares of which any `threshold` give the key back (2 ≤ threshold ≤ count ≤ 16)."""
    if not 2 <= threshold <= count <= MAX_SHARES:
        raise VaultError(_("Choose between 2 and {most} shares, and how many of them open the vault: at least 2, "
                           "at most as many as there are shares.").format(most=MAX_SHARES))
    secret = key_to_bytes(recovery_key)
    return generate_mnemonics(1, [(threshold, count)], secret)[0]


def words_of(text: str) -> list[str]:
    """The SLIP-39 words in what a person typed; a word may be cut to its first four letters."""
    words = []
    for position, raw in enumerate(re.findall(r"[A-Za-z]+", text or ""), start=1):
        word = _BY_PREFIX.get(raw.lower()[:4])
        if word is None or not word.startswith(raw.lower()) or len(raw) < 4:
            raise VaultError(_("Word {n} (“{word}”) is not a word of the shares' list: check its spelling.").format(
                n=position, word=raw))
        words.append(word)
    return words


@dataclass
class ShareReading:
    """What the typed shares give so far."""
    shares: list[str]
    threshold: int  # 0 while no share is read
    identifier: int
    partial_words: int  # words typed after the last complete share

    @property
    def missing(self) -> int:
        return max(0, self.threshold - len(self.shares)) if self.threshold else 0


def read_shares(text: str) -> ShareReading:
    """Whole shares in `text` (33 words each, in any layout), checked one by one as typed."""
    words = words_of(text)
    shares, threshold, identifier = [], 0, -1
    for start in range(0, len(words) - len(words) % SHARE_WORDS, SHARE_WORDS):
        mnemonic = " ".join(words[start:start + SHARE_WORDS])
        number = start // SHARE_WORDS + 1
        try:
            share = Share.from_mnemonic(mnemonic)
        except MnemonicError:
            raise VaultError(_("Share {n} has a typing error (its check words do not match): read it again from "
                               "its sheet.").format(n=number)) from None
        if identifier >= 0 and share.identifier != identifier:
            raise VaultError(_("Share {n} comes from another set of shares (another vault, or an older split): "
                               "its first two words differ from share 1's.").format(n=number))
        if mnemonic in shares:
            raise VaultError(_("Share {n} was typed twice.").format(n=number))
        identifier, threshold = share.identifier, share.member_threshold
        shares.append(mnemonic)
    return ShareReading(shares, threshold, identifier, len(words) % SHARE_WORDS)


def describe_reading(reading: ShareReading) -> str:
    if not reading.threshold:
        return ngettext("{n} word of the first share typed.", "{n} words of the first share typed.",
                        reading.partial_words).format(n=reading.partial_words)
    text = ngettext("{n} share typed", "{n} shares typed", len(reading.shares)).format(n=len(reading.shares))
    text += "; " + ngettext("{k} opens the vault", "any {k} open the vault", reading.threshold).format(
        k=reading.threshold)
    if reading.missing:
        text += "; " + ngettext("type {n} more.", "type {n} more.", reading.missing).format(n=reading.missing)
    else:
        text += "."
    return text


def recovery_key_from_shares(text: str) -> str:
    """The recovery key from enough typed shares, or a message saying what is missing."""
    reading = read_shares(text)
    if reading.partial_words:
        raise VaultError(ngettext("The last share is incomplete: {n} word typed of {total}.",
                                  "The last share is incomplete: {n} words typed of {total}.",
                                  reading.partial_words).format(n=reading.partial_words, total=SHARE_WORDS))
    if not reading.shares:
        raise VaultError(_("Type the shares' words."))
    if reading.missing:
        raise VaultError(ngettext("Only {typed} of {k} shares typed: {n} more is needed to open the vault.",
                                  "Only {typed} of {k} shares typed: {n} more are needed to open the vault.",
                                  reading.missing).format(typed=len(reading.shares), k=reading.threshold,
                                                          n=reading.missing))
    try:
        secret = combine_mnemonics(reading.shares)
    except MnemonicError:
        raise VaultError(_("These shares do not fit together; check that they all come from this vault's sheets.")) from None
    return bytes_to_key(secret)


def looks_like_shares(text: str) -> bool:
    """Words rather than an AGE-SECRET-KEY line."""
    squeezed = re.sub(r"[\s-]+", "", text or "").upper()
    return bool(squeezed) and not squeezed.startswith("AGESECRETKEY") and " " in (text or "").strip()
