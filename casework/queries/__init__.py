"""Named query functions: every page, job and API list goes through one of these."""
