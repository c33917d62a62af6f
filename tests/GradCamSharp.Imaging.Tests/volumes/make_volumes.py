#!/usr/bin/python3
"""Volumes written by NumPy and nibabel (the reference NIfTI library), for the volume readers' tests.

Debian 12: apt-get install --no-install-recommends python3-nibabel
Run from this folder: /usr/bin/python3 make_volumes.py

Each holds the ramp v(x, y, z) = x + 10 y + 100 z (x the fastest axis of NIfTI, the last of NumPy's [z, y, x]):
- ramp.nii.gz: int16, 5 x 4 x 3 voxels of 2 x 3 x 4 mm, scaled by slope 0.5 and intercept 10 (read: v / 2 + 10);
- ramp-big-endian.nii: float32 in big-endian order, unscaled;
- ramp-channels.nii: float32, 5 x 4 x 3 x 2, the fourth axis t adding 1000 t (two channels);
- ramp.npy: float64 [3, 4, 5]; ramp-uint8.npy: uint8 [1, 3, 4, 5] of x + 10 y + 50 z (one channel);
- expected.json: what nibabel reads from each NIfTI file.
"""
import json

import nibabel as nib
import numpy as np

z, y, x = np.meshgrid(np.arange(3), np.arange(4), np.arange(5), indexing="ij")
ramp_zyx = (x + 10 * y + 100 * z).astype(np.float64)
ramp_xyz = np.ascontiguousarray(ramp_zyx.transpose(2, 1, 0))

scaled = nib.Nifti1Image(ramp_xyz.astype(np.int16), np.diag([2.0, 3.0, 4.0, 1.0]))
scaled.header.set_slope_inter(0.5, 10)
scaled.set_data_dtype(np.int16)
nib.save(scaled, "ramp.nii.gz")

big = nib.Nifti1Image(ramp_xyz.astype(">f4"), np.eye(4), nib.Nifti1Header(endianness=">"))
big.set_data_dtype(">f4")
nib.save(big, "ramp-big-endian.nii")

channels = np.stack([ramp_xyz, ramp_xyz + 1000], axis=3).astype(np.float32)
nib.save(nib.Nifti1Image(channels, np.eye(4)), "ramp-channels.nii")

np.save("ramp.npy", ramp_zyx)
np.save("ramp-uint8.npy", (x + 10 * y + 50 * z).astype(np.uint8)[None])

# What nibabel itself reads from each NIfTI file (scaling applied), flattened as [t, z, y, x]: the tests' oracle.
expected = {}
for name in ("ramp.nii.gz", "ramp-big-endian.nii", "ramp-channels.nii"):
    data = nib.load(name).get_fdata()
    data = data[..., None] if data.ndim == 3 else data
    expected[name] = {"shape": [data.shape[3], data.shape[2], data.shape[1], data.shape[0]],
                      "values": data.transpose(3, 2, 1, 0).flatten().tolist()}
with open("expected.json", "w") as file:
    json.dump(expected, file)
