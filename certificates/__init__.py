"""Certificates: numbering, lifecycle rules, QR codes and PDF rendering.

Pure code: no database and no web framework, so it can be tested and reused
(vouchers, tender reports) without the service around it.
"""
