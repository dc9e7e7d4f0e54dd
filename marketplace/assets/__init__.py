"""The ICT asset register: what the state owns and rents, what it costs, when it expires."""
