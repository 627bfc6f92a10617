"""
Uploads over DISEASEMAPS_AVATAR_MAX_BYTES are dropped while they stream in, never stored whole.

The handler sits first in FILE_UPLOAD_HANDLERS, counts each file's bytes as they arrive and
skips the file once it passes the limit: the parser discards the rest of that file and goes on
with the other fields, so the form keeps what the member typed. The names of the files that were
cut off are left on the request for the view to report.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def oversized_uploads(request) -> set[str]:
    """The names of the file fields whose upload was cut off for being too large."""
    return getattr(request, "_oversized_uploads", set())


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DISEASEMAPS_AVATAR_MAX_BYTES:
            if self.request is not None:
                if not hasattr(self.request, "_oversized_uploads"):
                    self.request._oversized_uploads = set()
                self.request._oversized_uploads.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
