"""In-app inbox: every notification lands here; mail is sent too when MAIL_URL is set."""
