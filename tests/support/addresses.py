"""An address as a client sends it: every required field, valid, no province (the US needs none)."""

ADDRESS = {
    "full_name": "Jane Doe",
    "telephone": "+1 555 0100",
    "address_1": "10 Main Street",
    "city": "Springfield",
    "country": "US",
    "postcode": "90000",
}
