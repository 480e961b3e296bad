"""Hostile and oversized mails, generated (issue 9, section 3): the parser must bound the work they cost."""

from __future__ import annotations

import base64

HEAD = "From: Mallory <mallory@example.com>\r\nTo: help@support.example.com\r\nMIME-Version: 1.0\r\n"


def nested_multipart(depth: int) -> bytes:
    opening = "".join(f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(depth))
    closing = "".join(f"--b{i}--\r\n" for i in reversed(range(depth)))
    return f"{HEAD}Subject: deep\r\n{opening}Content-Type: text/plain\r\n\r\nhi\r\n{closing}".encode()


def attachments(count: int) -> bytes:
    files = "".join(
        f"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f{i}.bin\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
        for i in range(count)
    )
    body = "--B\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n"
    return f"{HEAD}Subject: files\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n{body}{files}--B--\r\n".encode()


def cjk_text_and_html(characters: int) -> bytes:
    text = base64.encodebytes(("漢" * characters).encode()).decode()
    html = base64.encodebytes(f"<p>{'漢' * characters}</p>".encode()).decode()
    parts = (
        f"--B\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{text}\r\n"
        f"--B\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{html}\r\n--B--\r\n"
    )
    return f"{HEAD}Subject: cjk\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n{parts}".encode()


def long_message_id(length: int) -> bytes:
    return f"{HEAD}Subject: id\r\nMessage-ID: <{'x' * length}@example.com>\r\n\r\nHello\r\n".encode()


def long_header(lines: int) -> bytes:
    """A Subject of encoded words folded over ``lines`` lines: the stdlib's structured parser kept ~290 MB
    for 3,300 of them (a 174 KB mail)."""
    subject = "Subject: " + "\r\n ".join(f"=?utf-8?q?a_longer_word_number_{i}_=C3=A9=C3=A8?=" for i in range(lines))
    return f"From: a@example.com\r\n{subject}\r\n\r\nHello\r\n".encode()


def many_recipients(count: int) -> bytes:
    """A To folded over ``count`` addresses: 16 s in the structured parser for 3,300 of them."""
    to = "To: " + ",\r\n ".join(f'"User {i}" <user{i}@example{i % 7}.com>' for i in range(count))
    return f"From: a@example.com\r\n{to}\r\nSubject: hi\r\n\r\nHello\r\n".encode()
