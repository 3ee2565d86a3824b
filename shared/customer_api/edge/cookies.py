"""The login cookies EverShop set: `token` for customers, `admin_token` for admins."""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

ADMIN_COOKIE = "admin_token"
CUSTOMER_COOKIE = "token"


def _login_cookie(name: str, value: str, max_age: int, same_site: SameSite) -> Cookie:
    """A login cookie as EverShop set it: the whole site, HttpOnly, Secure."""
    return Cookie(name, value, path="/", secure=True, http_only=True, max_age=max_age, same_site=same_site)


def customer_cookie(token: str, max_age: int) -> Cookie:
    return _login_cookie(CUSTOMER_COOKIE, token, max_age, SameSite.LAX_MODE)


def admin_cookie(token: str, max_age: int) -> Cookie:
    return _login_cookie(ADMIN_COOKIE, token, max_age, SameSite.STRICT_MODE)


def cleared_customer_cookie() -> Cookie:
    return customer_cookie("", 0)


def cleared_admin_cookie() -> Cookie:
    return admin_cookie("", 0)
