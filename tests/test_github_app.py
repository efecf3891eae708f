"""GitHub App authentication: installation tokens from the app's key, refreshed."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.config import GitHubSettings, Secrets, Settings
from bot.github.agenda import fetch_agenda
from bot.github.client import client_from_settings
from tests.fakes.github import FakeGitHub
from tests.github_support import GROUP, LABEL


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_app_installation_token_is_used_and_refreshed() -> None:
    with FakeGitHub(token="not-this-one") as fake:
        fake.add_repo("nodejs/node")
        fake.add_issue("nodejs/node", 1, "Item", labels=[LABEL])
        fake.install_app("nodejs", installation_id=77, token_lifetime=5)  # always near expiry
        settings = Settings(groups=[GROUP], github=GitHubSettings(base_url=fake.base_url,
                                                                  app_id=12))
        github = client_from_settings(settings, Secrets(github_app_private_key=_pem()))
        assert github is not None
        assert fake.requests == []  # nothing is asked of GitHub until it is needed

        first = fetch_agenda(github, GROUP)
        second = fetch_agenda(github, GROUP)

        assert [e.number for e in first] == [e.number for e in second] == [1]
        searches = fake.calls("GET", "/search/")
        assert [r.headers["authorization"] for r in searches] == ["token ghs_1", "token ghs_2"]
        assert fake.calls("GET", "/orgs/nodejs/installation")[0].headers[
            "authorization"].startswith("Bearer ")
        assert [r.path for r in fake.calls("POST")] == ["/app/installations/77/access_tokens"] * 2
