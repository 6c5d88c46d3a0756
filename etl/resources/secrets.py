from __future__ import annotations

import dagster as dg

from etl.config import load_settings


class SecretsResource(dg.ConfigurableResource):
    """The master secret (OBSERVATORIO_SECRET_KEY or a key file) and the keys derived from it.

    The secret never enters the database, the repository, Dagster's config or its event log:
    this resource holds no value itself and reads the environment when a run needs it.
    """

    def keyring(self):
        from etl.defs.privacy.keys import keyring_from_settings

        return keyring_from_settings(load_settings())
