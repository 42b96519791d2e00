"""nn.save / nn.load: .npz round trips, and files that would need pickle are refused."""
from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

import autograd
import nn


def test_round_trip_keeps_names_order_and_values(tmp_path):
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    path = tmp_path / "model.pt"                 # any name: nothing is appended to it
    nn.save(net.state_dict(), path)
    assert path.exists()
    loaded = nn.load(path)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    other = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    other.load_state_dict(loaded)
    x = autograd.randn(4, 2)
    np.testing.assert_array_equal(net(x).data, other(x).data)


def test_a_pickled_object_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))    # would create a file when unpickled

    path = tmp_path / "evil.npz"
    np.savez(path, bias=np.zeros(2), weight=np.array([Payload()], dtype=object))
    with pytest.raises(ValueError, match=r"evil.npz.*'weight'.*pickle"):
        nn.load(path)
    assert not marker.exists()
    whole = tmp_path / "model.pkl"              # a whole pickled file is refused unread too
    whole.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ValueError, match=r"model.pkl.*pickle"):
        nn.load(whole)
    assert not marker.exists()


def test_truncated_and_foreign_files_are_clear_errors(tmp_path):
    good = tmp_path / "good.npz"
    nn.save({"w": autograd.ones(100)}, good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:60])
    text = tmp_path / "notes.txt"
    text.write_text("these are not weights\n")
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    foreign_zip = tmp_path / "other.zip"        # a zip whose member is not a numpy array
    with zipfile.ZipFile(foreign_zip, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x04N.")
    expected = {truncated: "truncated", text: "another format", single: "single .npy",
                foreign_zip: "not a numpy array"}
    for path, why in expected.items():
        with pytest.raises(ValueError, match="nn.load") as e:
            nn.load(path)
        assert path.name in str(e.value) and why in str(e.value)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_save_refuses_non_numeric_values(tmp_path):
    with pytest.raises(TypeError, match="'name'"):
        nn.save({"name": np.array(["a"])}, tmp_path / "x.npz")
