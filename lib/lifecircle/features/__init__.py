"""lifecircle.features — the feature layer ``models/features``: one wide row per subscriber and
period, built once for the tag engine and the propensity models alike.

- :mod:`~lifecircle.features.schema`: ``feature_schema`` (the exact columns, a pure function of the
  settings and dwell slots), the column families, ``slot_names(conf)``;
- :mod:`~lifecircle.features.settings`: ``FeatureSettings`` (written under ``tags:`` in the YAML);
- :mod:`~lifecircle.features.vocab`: the place-category vocabulary as ASCII keys and groups;
- :mod:`~lifecircle.features.places`: dim/places with their category keys (``place_categories``);
- :mod:`~lifecircle.features.mobility`: stay, dwell, frequency-profile, anchor and window features;
- :mod:`~lifecircle.features.consumption`: BOSS usage and percentiles, VGOP product maps, events;
- :mod:`~lifecircle.features.build`: ``FeatureInputs`` and ``build_features`` (pure);
- :mod:`~lifecircle.features.io`: ``read_feature_inputs``, ``write_features``, ``read_features``.

Upstream of ``lifecircle.tags`` and ``lifecircle.models``; imports nothing from either.
"""
