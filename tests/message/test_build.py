"""The message as a customer receives it (issue 28 item 2): multipart/alternative, text first and
HTML last, UTF-8, 7-bit clean encodings within 998 octets a line, RFC 2047 headers, and the same
bytes on every run."""

from __future__ import annotations

from email import message_from_bytes, policy

from .project import MessageProject


def test_text_first_html_last_in_utf8(shop: MessageProject) -> None:
    parsed = message_from_bytes(shop.mime("order[de-jo]"), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]  # RFC 2046: preferred last
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert "Grüße Jürgen Müller" in parts[0].get_content() and "Grüße Jürgen Müller" in parts[1].get_content()
    assert parsed["MIME-Version"] == "1.0" and all("MIME-Version" not in p for p in parts)


def test_non_ascii_headers_are_encoded_words_and_the_bytes_ascii(shop: MessageProject) -> None:
    data = shop.mime("order[de-jo]")
    data.decode("ascii")  # 7-bit clean: any relay carries it
    head = data.split(b"\r\n\r\n")[0]
    assert b"Subject: =?utf-8?" in head and b"From: =?utf-8?q?N=C3=B6rthwind_Shop?= <orders@shop.example.com>" in head
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends only


def test_a_1200_character_line_is_encoded_within_the_limits(shop: MessageProject) -> None:
    shop.edit("templates/order.html", "View</a>", "View</a>" + "x" * 1200)
    data = shop.mime()
    assert max(len(line) for line in data.split(b"\r\n")) <= 78
    html = message_from_bytes(data, policy=policy.default).get_body(("html",))
    assert html["Content-Transfer-Encoding"] in ("quoted-printable", "base64") and "x" * 1200 in html.get_content()


def test_byte_stable_run_after_run(shop: MessageProject) -> None:
    first = shop.mime()
    assert shop.mime() == first  # a new engine: no boundary, id or date drawn at random
    assert b"Date: Sun, 01 Nov 2026 09:00:00 +0000\r\n" in first
    other = shop.mime("order[de-jo]")
    message_id = [line for line in first.split(b"\r\n") if line.startswith(b"Message-ID:")][0]
    assert message_id.endswith(b"@shop.example.com>") and message_id not in other  # one id per case


def test_the_team_mailer_s_8bit_encoding_is_kept(shop: MessageProject) -> None:
    shop.edit("templates/_catalog.yaml", "to_name: name", "to_name: name\n  encoding: 8bit")
    data = shop.mime("order[de-jo]")
    assert "Grüße Jürgen".encode() in data and b"Content-Transfer-Encoding: 8bit" in data


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_catalog_images_are_linked_by_default_and_embedded_when_the_template_says(shop: MessageProject) -> None:
    (shop.root / "templates/img").mkdir()
    (shop.root / "templates/img/logo.png").write_bytes(PNG)
    shop.edit("templates/order.html", "<p>", '<img src="img/logo.png" alt="Shop"><img src="https://cdn.example.com/x.png" alt=""><p>')
    linked = message_from_bytes(shop.mime(), policy=policy.default)
    assert [p.get_content_type() for p in linked.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    shop.write("templates/order.yaml", shop.root.joinpath("templates/order.yaml").read_text() + "message:\n  images: embedded\n")
    data = shop.mime()
    embedded = message_from_bytes(data, policy=policy.default)
    assert [p.get_content_type() for p in embedded.walk()] == ["multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png"]
    image = list(embedded.walk())[-1]
    html = embedded.get_body(("html",)).get_content()
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html and 'src="https://cdn.example.com/x.png"' in html
    assert image.get_content() == PNG and shop.mime() == data  # byte-stable, the inner boundary too
