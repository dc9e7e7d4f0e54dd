"""Supplier performance: buyers rate suppliers after milestones and at contract end,
suppliers reply, ratings become final and public; suppliers file late-payment complaints."""
