// Shared by the fuzz targets: maps arbitrary bytes into a mail-like alphabet
// so the fuzzer reaches deep header and MIME states, not just the first
// "not a header" exit.

pub fn mail_alphabet(data: &[u8]) -> Vec<u8> {
    const TOKENS: &[&[u8]] = &[
        b"\n", b"\r\n", b": ", b"; ", b"=", b"\"", b"--", b"boundary=", b"Content-Type: ",
        b"multipart/mixed", b"message/rfc822", b"text/plain", b"charset=", b"name*0*=",
        b"filename*=", b"utf-8''", b"%C3%A9", b"=?utf-8?B?", b"=?iso-8859-1?Q?", b"?=",
        b"Content-Transfer-Encoding: ", b"base64", b"quoted-printable", b"x-uuencode",
        b"begin 644 ", b"From ", b"Received: from ", b" by ", b" with ESMTPS ", b" id ",
        b"; Mon, 1 Jan 2024 00:00:00 +0000", b"Content-Disposition: attachment; ",
        b"Subject: ", b"From: ", b"To: ", b"<a@b>", b" ", b"\t", b"(", b")", b"\\", b"\0",
        b"\xc3\xa9", b"\xff",
    ];
    let mut out = Vec::with_capacity(data.len() * 4);
    for &b in data {
        if (b as usize) < TOKENS.len() {
            out.extend_from_slice(TOKENS[b as usize]);
        } else {
            out.push(b);
        }
    }
    out
}
