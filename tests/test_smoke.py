from tests.conftest import ADMIN_EMAIL, Api


def test_create_login_logout_delete(api: Api, admin_token: str, customer, log_in) -> None:
    assert customer.view["email"] == customer.email
    session = log_in(customer)
    reply = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200, reply.body
    reply = api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    assert reply.status == 200, reply.body
    assert ADMIN_EMAIL
