import nudges


def test_public_api_is_exported():
    for name in nudges.__all__:
        assert hasattr(nudges, name), name
    assert {"Network", "train", "load", "load_mnist", "load_digits"} <= set(nudges.__all__)


def test_errors_form_one_family():
    assert issubclass(nudges.InvalidInput, nudges.NudgesError)
    assert issubclass(nudges.InvalidInput, ValueError)
    for error in (nudges.DataError, nudges.DataNotFound, nudges.ModelFileError):
        assert issubclass(error, nudges.InvalidInput)
