"""The model graph: every model is exported or excluded on purpose, and loads in an order
where what a row points to is already there."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from hubbub.portability import graph


def test_every_model_is_exported_or_excluded_with_a_reason() -> None:
    # A model added later without a way to its workspace fails here: give it a foreign key
    # to the workspace (or to a row that has one), or list it in graph.EXCLUDED.
    assert graph.unclassified() == []
    exported = {node.label for node in graph.plan()}
    everything = {model._meta.label for model in apps.get_models()}
    assert exported | set(graph.EXCLUDED) == everything
    assert not exported & set(graph.EXCLUDED)
    assert all(reason.endswith(".") and len(reason) > 20 for reason in graph.EXCLUDED.values())


def test_a_model_neither_exported_nor_excluded_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    excluded = dict(graph.EXCLUDED)
    del excluded["networks.OAuthApp"]
    monkeypatch.setattr(graph, "EXCLUDED", excluded)
    graph.plan.cache_clear()
    try:
        assert graph.unclassified() == ["networks.OAuthApp"]
        with pytest.raises(graph.GraphError, match=r"networks\.OAuthApp"):
            graph.plan()
    finally:
        graph.plan.cache_clear()


def test_rows_reach_their_workspace_by_the_expected_chains() -> None:
    paths = {node.label: node.path for node in graph.plan()}
    assert paths["core.Workspace"] == "pk"
    assert paths["publishing.Post"] == "workspace"
    assert paths["publishing.PostVariant"] == "post__workspace"
    assert paths["publishing.DeliveryAttempt"] == "delivery__workspace"
    assert paths["measure.CampaignBudget"] == "campaign__workspace"
    assert paths["newsletter.Subscriber"] == "channel__workspace"
    assert paths["inbox.Holiday"] == "policy__workspace"
    assert paths["webhooks.WebhookMessage"] == "endpoint__workspace"


def test_what_a_row_requires_is_loaded_before_it() -> None:
    order = [node.label for node in graph.plan()]
    assert order[:2] == [graph.user_label(), graph.WORKSPACE]
    assert order[-1] == "core.AuditEntry"  # it may name a row of any model
    position = {label: i for i, label in enumerate(order)}
    for node in graph.plan():
        for field in graph.relations(node.model):
            target = field.related_model._meta.label  # type: ignore[union-attr]
            if target == node.label or target not in position:
                continue
            if not field.null:
                assert position[target] < position[node.label], f"{node.label}.{field.name}"
        for label in graph.JSON_REFERENCES.get(node.label, ()):
            if label != "*":
                assert position[label] < position[node.label], (node.label, label)


def test_every_unique_column_has_a_rule_for_a_clash() -> None:
    """A unique column (other than a key) would make an import alongside the original fail:
    each is either given a fresh value on a clash or handled on its own (slug, e-mail)."""
    unhandled = []
    for node in graph.plan():
        for field in node.model._meta.concrete_fields:
            if not field.unique or field.primary_key or field.is_relation:
                continue
            key = (node.label, field.name)
            if key not in graph.FRESH_ON_CLASH | graph.HANDLED_UNIQUE:
                unhandled.append(key)
    assert unhandled == []


def test_the_named_columns_exist() -> None:
    for label, name in graph.FRESH_ON_CLASH | graph.HANDLED_UNIQUE | graph.MEDIA_FIELDS:
        field = apps.get_model(label)._meta.get_field(name)
        assert isinstance(field, models.CharField), (label, name)
    for label, needed in graph.JSON_REFERENCES.items():
        apps.get_model(label)
        for other in needed:
            assert other == "*" or apps.get_model(other)


def test_secrets_are_found_by_their_column_names() -> None:
    found = {
        node.label: graph.encrypted_fields(node.model)
        for node in graph.plan()
        if graph.encrypted_fields(node.model)
    }
    assert found["networks.Channel"] == ["credentials_encrypted"]
    assert found["notify.Destination"] == ["config_encrypted"]
    assert found["webhooks.WebhookEndpoint"] == ["secret_encrypted"]
