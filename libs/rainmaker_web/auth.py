"""Bearer-key authentication that is ON by default, and role checks declared on views.

Every request to a routed endpoint needs `Authorization: Bearer <key>` unless the view is
marked `@public` (health, readiness, metrics and the OpenAPI docs are). Authentication and
the role check both run in an app-level before_request hook, from attributes that
`require_roles` sets on the view, so:

- a view without `@require_roles` is reachable by `admin` keys only (fails closed);
- `admin` passes every role check;
- writes: `manager` is read-only. A request is a write when `write=True`, or, when `write`
  is left None, when its method is not GET/HEAD/OPTIONS; a manager key is refused on writes
  even where `manager` is listed. Pass `write=False` for a read done by POST (a search);
  `write=True` together with `manager` is rejected when the decorator is applied.
- ownership is the view's job: `ensure_own_am(current_principal(), am_id, write=...)`, and
  `am_scope(principal)` gives the am_id to filter lists by (None = everything).

Place `@require_roles` below `@blp.route` (nearer the function) like the other decorators.
"""

from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_smorest.utils import deepupdate

from rainmaker_web.keystore import KeyStore
from rainmaker_web.problems import ProblemError
from rainmaker_web.roles import Principal, Role

SECURITY_SCHEME = "bearerAuth"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ACCESS_ATTR = "_rainmaker_access"
_PUBLIC_ATTR = "_rainmaker_public"
T = TypeVar("T")


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]
    write: bool | None


def _add_doc(func: Any, doc: dict[str, Any]) -> None:
    # flask-smorest merges `_apidoc["manual_doc"]` into the operation's OpenAPI entry.
    apidoc = deepcopy(getattr(func, "_apidoc", {}))
    apidoc["manual_doc"] = deepupdate(apidoc.get("manual_doc", {}), doc)
    func._apidoc = apidoc


def require_roles(*roles: Role | str, write: bool | None = None) -> Callable[[T], T]:
    """Declare which roles may call a view (function or MethodView method)."""
    access = Access(frozenset(Role(r) for r in roles), write)
    if not access.roles:
        raise ValueError("name at least one role (admin always passes)")
    if write and Role.MANAGER in access.roles:
        raise ValueError("the manager role is read-only; it cannot be granted a write")

    def decorate(func: T) -> T:
        setattr(func, _ACCESS_ATTR, access)
        _add_doc(func, {
            "security": [{SECURITY_SCHEME: []}],
            "x-roles": sorted(r.value for r in access.roles | {Role.ADMIN}),
            "responses": {401: "UNAUTHORIZED", 403: "FORBIDDEN"},
        })
        return func

    return decorate


def public(obj: T) -> T:
    """Open a view (or a whole MethodView) to callers without a key."""
    setattr(obj, _PUBLIC_ATTR, True)
    for name in getattr(obj, "methods", None) or ():
        _add_doc(getattr(obj, name.lower()), {"security": []})
    if not isinstance(obj, type):
        _add_doc(obj, {"security": []})
    return obj


def current_principal() -> Principal:
    principal: Principal | None = g.get("_rainmaker_principal")
    if principal is None:
        raise ProblemError(401, "This endpoint needs an API key.", headers=_challenge())
    return principal


def ensure_own_am(principal: Principal, am_id: str, *, write: bool = False) -> None:
    """403 unless the caller is that AM, an admin, or a manager reading."""
    if principal.role is Role.ADMIN or (principal.role is Role.MANAGER and not write):
        return
    if principal.role is Role.ACCOUNT_MANAGER and principal.am_id == am_id:
        return
    raise ProblemError(403, "This belongs to another account manager.")


def am_scope(principal: Principal) -> str | None:
    """The am_id a list must be filtered by, or None when the caller may see all AMs."""
    return principal.am_id if principal.role is Role.ACCOUNT_MANAGER else None


def _challenge(error: str | None = None) -> dict[str, str]:
    value = 'Bearer realm="rainmaker"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": value}


def _targets(view: Any, method: str) -> Iterable[Any]:
    """The view and, for a MethodView, its class and the method serving this request."""
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return (view,)
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return (view, view_class, handler)


def _authenticate(key_store: KeyStore) -> Principal:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ProblemError(401, "Send an API key as 'Authorization: Bearer <key>'.",
                           headers=_challenge())
    principal = key_store.verify(key.strip())
    if principal is None:
        raise ProblemError(401, "The API key is invalid or revoked.",
                           headers=_challenge("invalid_token"))
    return principal


def _authorize(principal: Principal, access: Access | None) -> None:
    if principal.role is Role.ADMIN:
        return
    if access is None:
        raise ProblemError(403, "This endpoint declares no roles, so only admin keys may call it.")
    if principal.role not in access.roles:
        raise ProblemError(403, f"The {principal.role.value} role may not call this endpoint.")
    write = access.write if access.write is not None else request.method not in SAFE_METHODS
    if write and principal.role is Role.MANAGER:
        raise ProblemError(403, "The manager role is read-only here.")


def install_auth(app: Flask, key_store: KeyStore, public_endpoints: Iterable[str] = ()) -> None:
    always_public = frozenset(public_endpoints)

    @app.before_request
    def _guard() -> None:
        if request.routing_exception is not None or request.endpoint is None:
            return  # no such route or method: routing answers 404/405 next
        if request.endpoint in always_public:
            return
        targets = [t for t in _targets(current_app.view_functions[request.endpoint],
                                       request.method) if t is not None]
        if any(getattr(t, _PUBLIC_ATTR, False) for t in targets):
            return
        principal = _authenticate(key_store)
        g._rainmaker_principal = principal
        access = next((getattr(t, _ACCESS_ATTR) for t in reversed(targets)
                       if hasattr(t, _ACCESS_ATTR)), None)
        _authorize(principal, access)
