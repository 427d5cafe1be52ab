"""Reading a request body against its shape (schemas.py): the JSON types,
enums and required fields Atlas's document gives, before any service call.

Only JSON types, enums and presence are checked here; every rule about the
values (the name's pattern, region, tags, tier) is the service's, so a
refusal reads the same in GraphQL, the CLI and REST. A field the shape does
not name is refused (a misspelt field silently ignored would change nothing
the caller meant to change), but for an open shape (tenantUpgrade's, whose
Atlas request describes a whole cluster); a read-only field the shape names is accepted
and ignored, as clients may echo what they read.
"""

from __future__ import annotations

from typing import Any

from graphql_api.rest.errors import validation_error
from graphql_api.rest.schemas import SHAPES, Prop, Shape

_BY_NAME = {shape.name: shape for shape in SHAPES}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class Body:
    """One JSON object of a request body, read field by field; ``at`` is the
    path of this object in the body (``providerSettings.``) for messages."""

    def __init__(self, value: dict[str, Any], shape: Shape, at: str = "") -> None:
        self.value = value
        self.shape = shape
        self.at = at
        for name in value:
            if name not in shape.properties and not shape.open:
                known = ", ".join(shape.properties)
                raise validation_error(
                    at + name, f"{at + name} is not a field of {shape.name} (fields: {known})."
                )

    def _get(self, name: str, required: bool) -> Any:
        prop = self.shape.properties[name]
        value = self.value.get(name)
        if prop.read_only or (value is None and not required):
            return None
        field = self.at + name
        if value is None:
            raise validation_error(field, f"{field} is required.")
        kinds = _JSON_TYPES[prop.type]
        if not isinstance(value, kinds) or (prop.type != "boolean" and isinstance(value, bool)):
            raise validation_error(field, f"{field} must be a JSON {prop.type}.")
        if prop.enum is not None and value not in prop.enum:
            raise validation_error(field, f"{field} must be one of {', '.join(prop.enum)}.")
        return value

    def string(self, name: str) -> str | None:
        value = self._get(name, False)
        return None if value is None else str(value)

    def required_string(self, name: str) -> str:
        return str(self._get(name, True))

    def boolean(self, name: str) -> bool | None:
        value = self._get(name, False)
        return None if value is None else bool(value)

    def object(self, name: str) -> Body | None:
        value = self._get(name, False)
        if value is None:
            return None
        return Body(value, _shape_of(self.shape.properties[name]), f"{self.at}{name}.")

    def required_object(self, name: str) -> Body:
        value = self._get(name, True)
        return Body(value, _shape_of(self.shape.properties[name]), f"{self.at}{name}.")

    def objects(self, name: str) -> list[Body] | None:
        """An array of objects, each read against the items' shape."""
        value = self._get(name, False)
        if value is None:
            return None
        item = self.shape.properties[name].items
        assert item is not None
        read = []
        for index, element in enumerate(value):
            where = f"{self.at}{name}[{index}]"
            if not isinstance(element, dict):
                raise validation_error(where, f"{where} must be a JSON object.")
            read.append(Body(element, _shape_of(item), where + "."))
        return read


def _shape_of(prop: Prop) -> Shape:
    assert prop.ref is not None
    return _BY_NAME[prop.ref]
