"""The verbs restore and migrate share: list, get, status and delete, one module each, every
one told by an Operation (cli.operations) which Kurator kind it acts on."""
