"""Where the center's issuer keys live and how it reaches them (docs/clearing-center.md, "Keys").

The web workers see only :class:`~clearing.keys.interface.IssuerKeys`: MAC1 checked and MAC2 made
for a load, the load's TAC. Behind it: a PKCS#11 token (:mod:`clearing.keys.token`), the key
service on a Unix socket for what the token cannot do (:mod:`clearing.keys.service`), or — tests,
benches and development only — the keys in process (:mod:`clearing.keys.software`).
"""
