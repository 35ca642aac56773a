#!/usr/bin/env python3
"""Verify a DSSE envelope file with python-securesystemslib, independently of Sluice's Swift code.

Usage: verify_envelope.py ENVELOPE_JSON PUBLIC_KEY

PUBLIC_KEY is either a PEM file holding an Ed25519 SubjectPublicKeyInfo or a 64-character hex string.
The key's keyid is computed by securesystemslib itself (it must equal the envelope's keyid, because
securesystemslib only tries keys whose keyid matches a signature's keyid).

Exit status: 0 verified; 1 verification failed; 2 usage or input error; 3 securesystemslib missing.
"""

import json
import os
import sys


def load_key(argument):
    from securesystemslib.signer import SSlibKey

    if os.path.isfile(argument):
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        with open(argument, "rb") as handle:
            return SSlibKey.from_crypto(load_pem_public_key(handle.read()))
    # A bare hex key: build the securesystemslib key dict and let the library derive the keyid.
    from securesystemslib.formats import encode_canonical
    import hashlib

    keyval = {"public": argument.lower()}
    key_dict = {"keytype": "ed25519", "scheme": "ed25519", "keyval": keyval}
    keyid = hashlib.sha256(encode_canonical(key_dict).encode("utf-8")).hexdigest()
    return SSlibKey(keyid, "ed25519", "ed25519", keyval)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        from securesystemslib.dsse import Envelope
    except ImportError as error:
        print(f"securesystemslib is not installed: {error}", file=sys.stderr)
        return 3
    try:
        with open(argv[1], "rb") as handle:
            envelope = Envelope.from_dict(json.loads(handle.read()))
        key = load_key(argv[2])
    except Exception as error:  # noqa: BLE001 - any input problem is a usage error here
        print(f"cannot load inputs: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    try:
        accepted = envelope.verify([key], 1)
    except Exception as error:  # noqa: BLE001 - VerificationError and friends
        print(f"NOT VERIFIED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    statement = ""
    if envelope.payload_type == "application/vnd.in-toto+json":
        try:
            statement = f", predicateType {json.loads(envelope.payload)['predicateType']}"
        except (ValueError, KeyError, TypeError) as error:
            print(f"NOT AN IN-TOTO STATEMENT: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    print(f"verified: keyid {', '.join(sorted(accepted))}, payloadType {envelope.payload_type}, "
          f"{len(envelope.pae())} PAE bytes{statement}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
