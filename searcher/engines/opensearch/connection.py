"""How to reach a cluster as the official clients do: TLS, credentials, and which servers we accept.

Everything a user sets to reach a secured cluster is one record, :class:`ClusterSettings`,
read from the environment (``SEARCHER_OPENSEARCH_*``) and overridden by the command line's
options. Secrets (password, API key) come only from the environment or the location, never
from a command line (where ``ps`` shows them), and never appear in a message or a repr.

This module does not import opensearch-py at import time: the public API and the CLI read the
settings without paying for the client.
"""

from __future__ import annotations

import base64
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ...core.errors import ClusterError, InsecureClusterWarning, SearcherError

PREFIX = "SEARCHER_OPENSEARCH_"
#: The environment variable of each setting (the CLI's options read the same ones).
ENVIRONMENT = {
    "ca_certs": f"{PREFIX}CA_CERTS",
    "client_cert": f"{PREFIX}CLIENT_CERT",
    "client_key": f"{PREFIX}CLIENT_KEY",
    "verify": f"{PREFIX}VERIFY",
    "user": f"{PREFIX}USER",
    "password": f"{PREFIX}PASSWORD",
    "api_key": f"{PREFIX}API_KEY",
    "aws_region": f"{PREFIX}AWS_REGION",
    "aws_service": f"{PREFIX}AWS_SERVICE",
    "sniff": f"{PREFIX}SNIFF",
    "retry_for": f"{PREFIX}RETRY_FOR",
}
#: The OpenSearch major versions searcher is written and tested for.
SUPPORTED_MAJORS = (2, 3)
SUPPORTED = "OpenSearch 2.x or 3.x"


@dataclass(frozen=True)
class ClusterSettings:
    """How to connect to a cluster (see the module docstring); every field is optional.

    :param ca_certs: a PEM file of the certificate authorities to trust (a private CA, a
        self-signed cluster); default: the system's.
    :param client_cert: a PEM client certificate, for clusters that ask for one.
    :param client_key: its private key (PEM), if not in ``client_cert``'s file.
    :param verify: False to skip checking the cluster's certificate (warned about on every run).
    :param user: the user for HTTP basic authentication (or ``user@`` in the location).
    :param password: its password (or ``user:password@`` in the location, percent-encoded).
    :param api_key: an API key, sent as ``Authorization: ApiKey ...`` (``id:key`` is encoded).
    :param aws_region: sign requests with AWS SigV4 for this region (managed OpenSearch),
        with boto3's credential chain; ``auto``: boto3's configured region. Needs the ``aws`` extra.
    :param aws_service: ``es`` (managed domains) or ``aoss`` (serverless collections).
    :param sniff: learn every node's address from the cluster (True), never (False), or
        None: only where the nodes publish the addresses the location names (no proxy between).
    :param retry_for: seconds a write goes on retrying while the cluster takes nothing (a node
        down, a new manager being elected); then it stops with "run the same command again".
    """

    ca_certs: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    aws_region: str | None = None
    aws_service: str = "es"
    sniff: bool | None = None
    retry_for: float = 300.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "ClusterSettings":
        """The settings in ``environ`` (default: the process's), then ``overrides`` that are not None."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, variable in ENVIRONMENT.items():
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            if name in ("verify", "sniff"):
                values[name] = _flag(raw, variable)
            elif name == "retry_for":
                values[name] = _seconds(raw, variable)
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).checked()

    def checked(self) -> "ClusterSettings":
        """These settings, or a SearcherError naming the one that cannot work."""
        for name in ("ca_certs", "client_cert", "client_key"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise SearcherError(f"{ENVIRONMENT[name]} ({_option(name)}): {path} is not a file")
        if self.client_key and not self.client_cert:
            raise SearcherError(f"{ENVIRONMENT['client_key']} is set without {ENVIRONMENT['client_cert']}: "
                                "give the client certificate too")
        schemes = [n for n, on in (("a user and password", self.user or self.password), ("an API key", self.api_key),
                                   ("AWS SigV4", self.aws_region)) if on]
        if len(schemes) > 1:
            raise SearcherError(f"give one way to log in to the cluster, not {' and '.join(schemes)}")
        if self.password and not self.user:
            raise SearcherError(f"{ENVIRONMENT['password']} is set without {ENVIRONMENT['user']}")
        if not self.retry_for > 0:
            raise SearcherError(f"{ENVIRONMENT['retry_for']} (--retry-for) must be more than 0 seconds")
        if self.aws_service not in ("es", "aoss"):
            raise SearcherError(f"{ENVIRONMENT['aws_service']} must be es (managed domains) or aoss (serverless), "
                                f"not {self.aws_service!r}")
        return self

    def with_credentials(self, user: str | None, password: str | None) -> "ClusterSettings":
        """These settings with the location's ``user:password@`` (which wins over the environment's)."""
        if not user:
            return self
        return replace(self, user=user, password=password, api_key=None).checked()

    def __repr__(self) -> str:  # secrets shown as set or not, never their value
        shown = []
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name in ("password", "api_key"):
                value = "***" if value else None
            shown.append(f"{spec.name}={value!r}")
        return f"ClusterSettings({', '.join(shown)})"


def _flag(raw: str, variable: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SearcherError(f"{variable} must be 1 or 0, not {raw!r}")


def _seconds(raw: str, variable: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise SearcherError(f"{variable} must be a number of seconds, not {raw!r}") from None


def _option(name: str) -> str:
    """The command-line option of a setting, for messages."""
    return {"ca_certs": "--ca-certs", "client_cert": "--client-cert", "client_key": "--client-key",
            "verify": "--no-verify", "user": "--user"}.get(name, ENVIRONMENT[name])


def client_options(scheme: str, hosts: list[dict[str, Any]], settings: ClusterSettings, url: str) -> dict[str, Any]:
    """The OpenSearch client's keyword arguments for ``hosts`` with these settings.

    Warns (InsecureClusterWarning) when certificates go unchecked."""
    options: dict[str, Any] = {"hosts": hosts}
    if scheme == "https":
        options.update(use_ssl=True, verify_certs=settings.verify, ssl_show_warn=False)
        if settings.verify:
            options["ca_certs"] = settings.ca_certs or _default_ca_file()
        else:
            warnings.warn(f"the certificate of the OpenSearch cluster at {url} is not checked "
                          f"({ENVIRONMENT['verify']}=0): use it only on a network you trust", InsecureClusterWarning,
                          stacklevel=2)
            options.update(ssl_assert_hostname=False)
        if settings.client_cert:
            options["client_cert"] = settings.client_cert
            if settings.client_key:
                options["client_key"] = settings.client_key
    if settings.user:
        options["headers"] = {"authorization": basic_authorization(settings.user, settings.password or "")}
    elif settings.api_key:
        key = settings.api_key
        if ":" in key:  # id:key, as the cluster shows a new key; the header wants it base64-encoded
            key = base64.b64encode(key.encode()).decode()
        options["headers"] = {"authorization": f"ApiKey {key}"}
    elif settings.aws_region:
        options["http_auth"] = _aws_signer(settings)
    return options


def basic_authorization(user: str, password: str) -> str:
    """The Authorization header of HTTP basic authentication, in UTF-8 (RFC 7617), so a password
    may hold any character (the client's own, from ``http_auth``, encodes Latin-1 only: a
    password with a euro sign failed with UnicodeEncodeError)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


def _default_ca_file() -> str | None:
    """The CA file Python's ssl module trusts by default (SSL_CERT_FILE, or the system's), so a
    cluster with a public certificate needs no setting."""
    import ssl

    paths = ssl.get_default_verify_paths()
    return paths.cafile if paths.cafile and Path(paths.cafile).is_file() else None


def _aws_signer(settings: ClusterSettings) -> Any:
    """opensearch-py's SigV4 signer with boto3's credential chain (environment, ~/.aws, a role)."""
    try:
        import boto3
    except ImportError:
        raise SearcherError(f"{ENVIRONMENT['aws_region']} asks for AWS SigV4, which needs boto3: "
                            "pip install 'searcher[aws]'") from None
    from opensearchpy import Urllib3AWSV4SignerAuth

    session = boto3.Session()
    region = session.region_name if settings.aws_region == "auto" else settings.aws_region
    if not region:
        raise SearcherError(f"{ENVIRONMENT['aws_region']}=auto, but boto3 knows no region: give the region "
                            "(e.g. eu-west-1) or set AWS_REGION")
    credentials = session.get_credentials()
    if credentials is None:
        raise ClusterError("no AWS credentials found (boto3 looked in the environment, ~/.aws and the instance's "
                           "role): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE")
    return Urllib3AWSV4SignerAuth(credentials, region, settings.aws_service)


def check_server(info: Mapping[str, Any], url: str) -> str:
    """The server's version if it is an OpenSearch searcher supports; ClusterError naming what
    it is otherwise (Elasticsearch, OpenSearch 1.x, anything else answering HTTP)."""
    version = info.get("version") if isinstance(info, Mapping) else None
    number = str(version.get("number", "")) if isinstance(version, Mapping) else ""
    distribution = str(version.get("distribution", "")) if isinstance(version, Mapping) else ""
    if distribution != "opensearch":
        product = f"Elasticsearch {number}".strip() if number and "for Search" in str(info.get("tagline", "")) \
            else (f"a server that says it is version {number}" if number else "not an OpenSearch cluster")
        raise ClusterError(f"{url} is {product}: searcher works with {SUPPORTED}")
    major = re.match(r"(\d+)\.", number)
    if not major or int(major[1]) not in SUPPORTED_MAJORS:
        raise ClusterError(f"{url} runs OpenSearch {number or '(no version)'}: searcher works with {SUPPORTED}")
    return number


def certificate_hint(reason: str, url: str) -> str | None:
    """What to do about a TLS failure whose text is ``reason``, or None if it is not one."""
    text = reason.lower()
    if "wrong_version_number" in text or "record layer failure" in text or "http request" in text and "ssl" in text:
        return (f"the server at {url} does not speak TLS (a certificate problem of the scheme): "
                "use http:// in the location, or check the port")
    if "certificate_required" in text or "certificate required" in text or "handshake failure" in text \
            or "alert bad certificate" in text:
        return (f"the OpenSearch cluster at {url} refused the TLS handshake: a certificate problem: it asks for a "
                f"client certificate: give {ENVIRONMENT['client_cert']} and {ENVIRONMENT['client_key']} "
                "(--client-cert, --client-key)")
    if "certificate verify failed" in text or "hostname mismatch" in text or "certificate_verify_failed" in text \
            or "self-signed" in text or "self signed" in text or "unable to get local issuer" in text:
        detail = re.search(r"certificate verify failed: ([^(')\]]+)", reason, re.I)
        why = f" ({detail[1].strip()})" if detail else ""
        return (f"the certificate of the OpenSearch cluster at {url} could not be verified{why}: a certificate "
                f"problem: give the PEM file of the CA that signed it in {ENVIRONMENT['ca_certs']} (--ca-certs), or "
                f"{ENVIRONMENT['verify']}=0 to skip the check (not on an untrusted network)")
    if "ssl" in text or "tls" in text or "certificate" in text:
        return (f"the TLS connection to the OpenSearch cluster at {url} failed ({reason[:200]}): a certificate "
                f"problem: check {ENVIRONMENT['ca_certs']}, {ENVIRONMENT['client_cert']} and "
                f"{ENVIRONMENT['client_key']}")
    return None
