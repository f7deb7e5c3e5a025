"""Content negotiation that answers the common case without parsing `Accept`."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """A view with one renderer, asked for anything or for exactly its type, gets that renderer
    at once; every other request is negotiated by DRF (a 406 for what cannot be served).

    Parameters of the accepted type (such as `indent`) are not taken up: cached answers are
    rendered once for everybody, so every answer is the same compact JSON.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and format_suffix is None:
            [renderer] = renderers
            accepted = request.META.get("HTTP_ACCEPT", "*/*")
            format_asked = self.settings.URL_FORMAT_OVERRIDE in request.query_params
            if accepted in ("*/*", renderer.media_type) and not format_asked:
                return renderer, renderer.media_type
        renderer, _ = super().select_renderer(request, renderers, format_suffix)
        return renderer, renderer.media_type
