"""Contracts side by side: spot, block, open-book cost-plus and the partnership, with their risk."""
