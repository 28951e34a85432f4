"""Generated video: the generator model, its training, latent motion and the frame producers.

TensorFlow is imported only inside the functions that need it (:func:`engine.gan.tf.require`),
so specs without a generator never pay for it and ``reelspec validate`` starts fast.
"""
