"""
The bureau's figures on training and examination (the dashboard, its Excel
exports and the monthly report): `selectors` reads them, each in a fixed,
small number of queries whatever the number of attempts.
"""
