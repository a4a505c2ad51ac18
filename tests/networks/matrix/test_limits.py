"""Matrix counts an event's bytes, not characters: the limits say so honestly."""

from __future__ import annotations

import pytest

from hubbub.networks.matrix.connector import MatrixConnector
from hubbub.networks.matrix.limits import MAX_BODY_BYTES, MAX_EVENT_BYTES, body_bytes
from hubbub.publishing.validation import check_variant
from tests.networks.matrix.conftest import make_channel


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("abc", 3),
        ("é", 2),  # two UTF-8 bytes
        ("€", 3),
        ("🎉", 4),
        ("👍🏽", 8),  # an emoji with a skin tone: two code points, four bytes each
        ('"', 2),  # JSON escapes it: \"
        ("\\", 2),
        ("a\nb", 4),  # \n
        ("\x01", 6),  # \u0001
    ],
)
def test_body_bytes_count_the_json_string_as_the_event_carries_it(text, size):
    assert body_bytes(text) == size


def test_the_limit_leaves_room_for_the_event_envelope():
    assert MAX_EVENT_BYTES == 65_536
    assert MAX_BODY_BYTES == 65_536 - 4_096


def test_check_variant_refuses_a_text_over_the_byte_limit(acme):
    channel = make_channel(acme)
    fits = "é" * (MAX_BODY_BYTES // 2)  # exactly the limit, in bytes
    over = fits + "e"

    assert check_variant(channel, [fits]) == []
    problems = check_variant(channel, [over])
    assert len(problems) == 1 and str(MAX_BODY_BYTES + 1) in problems[0].message
    assert f"the limit there is {MAX_BODY_BYTES} bytes: shorten it by 1." in problems[0].message


def test_the_upload_limit_is_the_homeservers(acme):
    channel = make_channel(acme, max_upload_bytes=10 * 1024 * 1024)

    assert MatrixConnector(channel).limits().media.max_image_bytes == 10 * 1024 * 1024
    assert MatrixConnector.default_limits().media.max_image_bytes == 50 * 1024 * 1024
