"""Privacy core: normalization, keyed pseudonyms, match tokens, linkage, ICT classification.

Pure library code over `VictimRecord`s; no database, no Dagster. Personal values exist only in
memory here: what leaves is keyed tokens, person keys, codes and evidence sources.
"""
