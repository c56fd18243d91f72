"""qr_support.decode_qr_svg reads QR codes that another encoder drew: Debian's qrencode CLI
(package qrencode) makes the SVG, so the decoder is proved before the service's QR code is
read with it."""

import shutil
import subprocess

import pytest

from qr_support import decode_qr_svg

URI = ("otpauth://totp/Example%20Co%3A%20Auth:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
       "&issuer=Example%20Co%3A%20Auth&algorithm=SHA1&digits=6&period=30")


def qrencode_svg(text: str) -> str:
    path = shutil.which("qrencode")
    if path is None:
        pytest.fail("qrencode is needed: install it with `scripts/install-deps test` (Debian package qrencode)",
                    pytrace=False)
    made = subprocess.run([path, "-t", "SVG", "-l", "M", "-8", "-o", "-", text], capture_output=True, text=True,
                          timeout=30)
    assert made.returncode == 0, made.stderr
    return made.stdout


@pytest.mark.parametrize("text", [URI, URI.replace("alice", "a-much-longer-account-name" * 4)])
def test_qr_support_reads_a_qr_code_that_qrencode_drew(text):
    assert decode_qr_svg(qrencode_svg(text)) == text


def test_qr_support_refuses_an_svg_without_a_qr_code():
    blank = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29">'
             '<rect width="29" height="29" fill="#fff"/></svg>')
    with pytest.raises(AssertionError, match="found no QR code"):
        decode_qr_svg(blank)
