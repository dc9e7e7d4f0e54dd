"""Annual procurement plans: plan lines that become procurement processes."""
