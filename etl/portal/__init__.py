"""The agencies' web portal: officials log in, send the month's extract, read the answer at once.

`create_app()` builds the Starlette application; `observatorio portal` serves it with uvicorn,
`observatorio users` manages its accounts. Nothing personal is shown, logged or stored by it:
uploaded files go straight to the encrypted landing store and are never served back.
"""
