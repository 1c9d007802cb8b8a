"""The outbound client: everything that leaves the machine goes through here.

Framework-free (no Django): `http` (the safe session and `send`), `tokens` (the
client-credentials fetch and the shared-token broker) and `errors`.
"""
