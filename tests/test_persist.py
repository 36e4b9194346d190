import json
import zipfile

import numpy as np
import pytest

from nudges import ModelFileError, Network, load
from nudges.files.models import load_saved, save


def test_save_load_round_trip_gives_the_same_outputs(tmp_path):
    net = Network([6, 5, 3], activation="tanh", output="softmax", cost="cross-entropy",
                  dtype="float64", seed=4)
    path = tmp_path / "net.npz"
    save(net, path, training={"eta": 0.5})
    again = load(path)
    assert again.config == net.config
    x = np.random.default_rng(0).random((4, 6))
    np.testing.assert_array_equal(again.feedforward(x), net.feedforward(x))
    assert load_saved(path).metadata["training"] == {"eta": 0.5}


def test_the_file_holds_plain_arrays_and_json(tmp_path):
    path = tmp_path / "net.npz"
    save(Network([4, 3], seed=0), path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["b0.npy", "metadata.npy", "w0.npy"]
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(npz["metadata"].tobytes())
    assert meta["format"] == "nudges-model" and meta["version"] == 1
    assert meta["network"]["sizes"] == [4, 3]


def test_saving_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "net.npz"
    save(Network([4, 3], seed=0), path)
    save(Network([4, 2], seed=0), path)
    assert load(path).sizes == [4, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_arrays_that_disagree_with_the_metadata_are_refused(tmp_path):
    net = Network([4, 3], seed=0)
    net.weights[0] = np.zeros((3, 5), dtype=np.float32)         # tampered shape
    save(net, tmp_path / "bad.npz")
    with pytest.raises(ModelFileError, match="do not match the metadata"):
        load(tmp_path / "bad.npz")


def test_pickled_objects_are_refused_without_running_them(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, metadata=np.array([{"boom": 1}], dtype=object), w0=np.zeros((3, 4)))
    with pytest.raises(ModelFileError, match="pickled objects"):
        load(path)


def test_missing_and_garbage_files(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load(tmp_path / "none.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        load(tmp_path / "junk.npz")
