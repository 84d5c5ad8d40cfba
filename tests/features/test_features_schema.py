from __future__ import annotations

from lifecircle.config import load_config
from lifecircle.features.schema import feature_schema, feature_schema_of, slot_names
from lifecircle.features.settings import FeatureSettings
from lifecircle.tags.settings import TagSettings

SLOTS = ["night", "work_hours"]


def test_schema_is_a_function_of_the_settings():
    schema = feature_schema(FeatureSettings(stay_minutes=(30, 240)), SLOTS)
    names = schema.fieldNames()
    assert names[0] == "subscriber_id" and len(names) == len(set(names))
    assert {
        "days_office_ge240m",
        "days_leisure_ge30m",
        "days_music_ge30m",
        "dwell_s_office_night",
        "freq_gym",
        "days_gym",
        "home_district",
        "arpu_pct",
        "product_status",
        "events_attended",
    } <= set(names)
    assert "days_office_ge45m" not in names


def test_the_schema_of_a_configuration_uses_its_tags_keys_and_slots():
    conf = load_config(overrides={"tags.stay_minutes": [45]})
    assert slot_names(conf) == ["night", "morning_commute", "work_hours", "evening_commute", "evening"]
    names = feature_schema_of(conf).fieldNames()
    assert "days_office_ge45m" in names and "days_office_ge240m" not in names
    assert "dwell_s_office_evening_commute" in names
    # The tag section is the feature settings plus the tag engine's own keys.
    assert isinstance(conf.tags, FeatureSettings) and isinstance(conf.tags, TagSettings)
    assert feature_schema_of(conf) == feature_schema(FeatureSettings(stay_minutes=(45,)), slot_names(conf))
