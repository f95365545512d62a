"""A sign-up with an address that has an account, against a real SMTP server: the
answer is exactly the one a new address gets, nothing is made, and the owner gets one
mail (in the sign-up's language) whose link leads to signing in, and to a new password."""

from __future__ import annotations

import re

import pytest

from tests.actors import PASSWORD
from tests.feedback import text_of
from tests.stack import eventually
from tests.web.pages import csrf_field
from tests.web.pages import text_of as page_text

PUBLIC_URL = "http://proeftuin.city.example"  # plain HTTP: see test_password_reset.py


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"public_url": PUBLIC_URL})


def sign_up(email: str, name: str = "Ann") -> dict[str, str]:
    return {
        "email": email,
        "password": "a different long passphrase",
        "role": "resident",
        "display_name": name,
    }


async def test_a_known_address_gets_the_answer_a_new_one_gets_and_its_owner_a_mail(
    api, actors, smtp
):
    smtp.start()
    owner = await actors.startup("Fatima's Shades")
    known = await api.post("/api/auth/register", json=sign_up(owner.email.upper()))
    new = await api.post("/api/auth/register", json=sign_up("fresh@example.org"))
    assert known.status_code == new.status_code == 201
    assert set(known.json()) == set(new.json())
    assert {k: v for k, v in known.json().items() if k != "email"} == {
        k: v for k, v in new.json().items() if k != "email"
    }
    assert known.json()["email"] == owner.email

    async def found():
        return smtp.to(owner.email)

    [mail] = await eventually(found, lambda mails: len(mails) == 1, timeout=10)
    assert mail["Subject"] == "Someone tried to sign up to Proeftuin with your e-mail address"
    assert mail["To"].addresses[0].display_name == "Fatima's Shades"
    text = text_of(mail)
    assert "no second one was made" in text
    assert f"{PUBLIC_URL}/password-reset" in text
    [login_link] = re.findall(r"Sign in: (\S+)", text)
    assert login_link == f"{PUBLIC_URL}/login"
    assert smtp.to("fresh@example.org") == []  # a new account gets no such mail

    # Nothing changed: the owner's password still signs in; the one typed does not.
    assert (
        await api.post("/api/auth/login", json={"email": owner.email, "password": PASSWORD})
    ).status_code == 200
    assert (
        await api.post(
            "/api/auth/login",
            json={"email": owner.email, "password": "a different long passphrase"},
        )
    ).status_code == 401

    # The link leads to the sign-in page, which offers a new password.
    page = await api.get("/login")
    assert page.status_code == 200 and 'href="/password-reset"' in page.text


async def test_the_sign_up_page_mails_the_owner_in_the_page_language(api, actors, smtp):
    smtp.start()
    owner = await actors.resident("Noor")
    form = await api.get("/register?lang=nl")
    answer = await api.post(
        "/register",
        data={**sign_up(owner.email, "Iemand"), "_csrf_token": csrf_field(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303

    async def found():
        return smtp.to(owner.email)

    [mail] = await eventually(found, lambda mails: len(mails) == 1, timeout=10)
    assert mail["Subject"] == (
        "Iemand probeerde zich met uw e-mailadres aan te melden bij Proeftuin"
    )
    assert "Beste Noor," in text_of(mail)
    login = await api.get(answer.headers["location"])
    assert "Log in met uw e-mailadres en wachtwoord." in page_text(login.text)
