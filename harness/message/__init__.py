"""The whole message: every sent case built as the MIME email a customer receives.

- :mod:`.settings`: ``message:`` of the catalog and of each template (headers declared once);
- :mod:`.headers`: those headers rendered for one case, one line each;
- :mod:`.build`: the message with the standard library's ``email`` package, byte-stable;
- :mod:`.tree`: the ``message.txt`` snapshot part (headers, then the MIME tree);
- :mod:`.smtp`: the SMTP round trip through a local server (aiosmtpd);
- :mod:`.dkim`: signing and offline verification (dkimpy);
- :mod:`.spam`: the SpamAssassin score (spamd on localhost).

Kept light here: the catalog imports :mod:`.settings` while it loads.
"""
