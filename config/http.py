"""Who is asking: the client's address, as far as the proxies in front can be trusted."""

from rest_framework.settings import api_settings


def client_ip(request):
    """
    The client's address. Behind `NUM_PROXIES` proxies (nginx sets
    X-Forwarded-For) it is the address the outermost trusted proxy saw;
    with no proxy configured, X-Forwarded-For is anyone's to write and the
    connection's own address is used. The same rule as DRF's throttles.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote
