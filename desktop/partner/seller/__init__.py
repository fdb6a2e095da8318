"""The rule-played seller: what it hears, how it scores a turn, what it says, price, objections."""
