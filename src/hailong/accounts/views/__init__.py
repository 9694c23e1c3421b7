"""Staff screens: sign-in and its second step, the staff home, authenticators, users."""
