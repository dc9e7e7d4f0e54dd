"""Sealed bids: encrypted submission with a public commitment, and the one opening."""
