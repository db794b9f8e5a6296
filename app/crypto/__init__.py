"""National (SM2/SM3/SM4) and PBOC (DES family) cryptography.

Hot paths (SM3, HMAC-SM3, SM4, DES/3DES) run on OpenSSL through ``cryptography``; SM2 runs on
``gmssl``, which also serves as the reference the OpenSSL paths are tested against.
"""
