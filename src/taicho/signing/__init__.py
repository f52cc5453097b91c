"""PDF signatures for results (kết quả giải quyết TTHC) under Decree 30/2020/NĐ-CP, Appendix I.

A plain library (no models, no app config):

* :mod:`.pki` — a demo PKI generated at run time (root, personal and organisation certificates, CRLs,
  signature and seal images).
* :mod:`.signers` — one :class:`~.signers.Signer` interface for PKCS#12 files, PKCS#11 tokens/HSMs, a remote
  signing service, and interrupted signing (an agent on the leader's own PC signs the digest).
* :mod:`.sign` — the leader's signature and the agency's e-seal as two incremental PAdES signatures.
* :mod:`.validate` — validation with Vietnamese reports.
* :mod:`.remote_service` — a small local remote-signing service for tests and the demo.
"""
