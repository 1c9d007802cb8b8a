"""Pinning keeps TLS honest: the connection goes to the checked IP, the certificate is
still checked against the host name in the URL."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from console.upstream.errors import UpstreamUnreachable
from console.upstream.http import OutboundPolicy, make_session, send

POLICY = OutboundPolicy(allow_private=True, connect_timeout=2, read_timeout=2)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificates(folder: Path, dns_name: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for `dns_name` signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("upstream tests CA"))
        .issuer_name(_name("upstream tests CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = f"hello {self.headers.get('Host')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _serve_tls(tmp_path: Path, dns_name: str) -> Iterator[tuple[int, Path]]:
    ca_path, cert_path, key_path = _certificates(tmp_path, dns_name)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = _QuietServer(("127.0.0.1", 0), _Hello)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server.server_address[1], ca_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def localhost_tls(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on 127.0.0.1 whose certificate names "localhost"."""
    yield from _serve_tls(tmp_path, "localhost")


@pytest.fixture
def wrong_name_tls(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on 127.0.0.1 whose certificate names someone else."""
    yield from _serve_tls(tmp_path, "someone-else.test")


def test_https_to_a_pinned_address_checks_the_certificate_name(localhost_tls):
    port, ca_path = localhost_tls
    session = make_session(POLICY)
    session.verify = str(ca_path)
    response = send(
        POLICY, method="GET", url=f"https://localhost:{port}/", headers={}, session=session
    )
    assert response.status == 200
    assert response.body == f"hello localhost:{port}".encode()  # Host header kept the name


def test_certificate_for_another_name_is_refused(wrong_name_tls):
    port, ca_path = wrong_name_tls
    session = make_session(POLICY)
    session.verify = str(ca_path)
    with pytest.raises(UpstreamUnreachable) as info:
        send(POLICY, method="GET", url=f"https://localhost:{port}/", headers={}, session=session)
    assert info.value.message.startswith(
        f"Could not set up a secure connection to localhost:{port}"
    )


def test_unknown_certificate_authority_is_refused(localhost_tls):
    port, _ = localhost_tls
    with pytest.raises(UpstreamUnreachable, match="secure connection"):
        send(POLICY, method="GET", url=f"https://localhost:{port}/", headers={})
