"""Seeded random streams and scrambled identifiers."""

from __future__ import annotations

import zlib

import numpy as np


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """One independent generator per named stream.

    Each source draws from its own stream, so a change in how one source is generated never
    shifts the values of another. crc32 rather than hash(): Python salts str hashes per process.
    """
    return np.random.default_rng([seed % 2**64, zlib.crc32(stream.encode())])


def scrambled_ids(count: int, space: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct integers in [0, space) that do not look sequential.

    An affine map i -> (a*i + b) mod space is a bijection when a is coprime with space
    (`space` must be a power of ten, so a only has to avoid the factors 2 and 5); it needs
    no sampling without replacement, which would cost a shuffle of the whole space.
    """
    if str(space).rstrip("0") != "1":
        raise ValueError(f"space must be a power of ten, not {space}")
    if count > space:
        raise ValueError(f"cannot draw {count} distinct ids from a space of {space}")
    multiplier = int(rng.integers(space // 3, space)) | 1
    while multiplier % 5 == 0:
        multiplier += 2
    shift = int(rng.integers(0, space))
    index = np.arange(count, dtype=np.int64)
    # Reduce first: multiplier * index must stay below 2**63.
    return (index * (multiplier % space) + shift) % space


def id_space(count: int, smallest: int) -> int:
    """The id space for `count` ids: `smallest` (a power of ten), or the first power of ten
    that holds them when there are more (a ten-million-voter state has over a million refunds
    and line items). The same space as before for every count that fitted, so a seed draws the
    same ids as before at those sizes."""
    space = smallest
    while space < count:
        space *= 10
    return space


def weighted_choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indices 0..len(weights)-1 drawn with the given (unnormalized) weights."""
    probabilities = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())
