"""The contacts: the seller list, a seller's card, the persona editor, the dial pad."""
