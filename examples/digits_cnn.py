"""A small convolutional network reads scikit-learn's 8x8 handwritten digits (float32).

The 1,797 images ship inside scikit-learn (load_digits: nothing is downloaded); a fixed 80/20
split (stratified, seed 0) gives 1,437 training and 360 test images. The network:
    conv 3x3 (1 -> 16) - batch norm - ReLU - max pool 2   (16 x 4 x 4)
    conv 3x3 (16 -> 32) - batch norm - ReLU - max pool 2  (32 x 2 x 2)
    flatten - dropout 0.25 - linear 128 -> 10
trained with cross-entropy, Adam (lr 0.01) and a cosine learning-rate schedule on mini-batches
of 64 for 20 epochs (--quick: 3 epochs on half the training images). Prints the
loss per epoch, the test accuracy and the run time; draws the confusion matrix and the
first layer's 16 filters (out/digits_confusion.png, out/digits_filters.png, or --out DIR).
docs/cnn.md shows this script beside its PyTorch twin: the same text up to renames.
"""
import sys
import time

import numpy as np
from _common import Progress, course_args, out_file, pyplot

import autograd
import nn
from autograd.utils.data import DataLoader, TensorDataset

try:
    from sklearn.datasets import load_digits  # type: ignore[import-untyped]
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
except ImportError:
    print("digits_cnn.py needs scikit-learn, which ships the digits: pip install scikit-learn "
          "(or pip install -e \".[examples]\")", file=sys.stderr)
    sys.exit(2)

args = course_args(__doc__.splitlines()[0])
autograd.manual_seed(args.seed)
epochs = 3 if args.quick else 20

digits = load_digits()                                 # images (1797, 8, 8), values 0..16
x_train, x_test, y_train, y_test = train_test_split(
    digits.images / 16.0, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
if args.quick:
    x_train, y_train = x_train[:720], y_train[:720]
train_set = TensorDataset(autograd.tensor(x_train, dtype=autograd.float32).unsqueeze(1),
                          autograd.tensor(y_train))
test_images = autograd.tensor(x_test, dtype=autograd.float32).unsqueeze(1)
test_labels = autograd.tensor(y_test)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, kernel_size=3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Dropout(0.25),
    nn.Linear(32 * 2 * 2, 10),
).float()                                # float32 (PyTorch's default dtype already)
loss_fn = nn.CrossEntropyLoss()
optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
scheduler = nn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

print(f"{sum(p.numel() for p in model.parameters())} parameters, "
      f"dtype {next(model.parameters()).dtype}")
start, cpu_start = time.perf_counter(), time.process_time()
progress = Progress(epochs)
losses = []
for epoch in range(epochs):
    model.train()
    total, count = 0.0, 0
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    scheduler.step()
    losses.append(total / count)
    progress.update(epoch + 1, losses[-1])
train_time = time.perf_counter() - start
cpu_time = time.process_time() - cpu_start

model.eval()
with autograd.no_grad():
    predicted = model(test_images).max(dim=1).indices
accuracy = (predicted == test_labels).float().mean().item()
print("epoch losses: " + " ".join(f"{loss:.4f}" for loss in losses))
print(f"test accuracy: {accuracy * 100:.2f}% ({len(test_labels)} images)")
print(f"training time: {train_time:.1f} s (CPU time {cpu_time:.1f} s) for {epochs} epochs of "
      f"{len(train_set)} images")

confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (test_labels.numpy(), predicted.numpy()), 1)
print("confusion matrix (rows: true digit, columns: predicted):")
print(confusion)

plt = pyplot("the confusion matrix and the filters")
if plt is not None:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(confusion, cmap="Blues")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center",
                    color="white" if confusion[i, j] > confusion.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(f"digits CNN: {accuracy * 100:.1f}% of {len(test_labels)} test images")
    fig.tight_layout()
    fig.savefig(out_file(args, "digits_confusion.png"), dpi=100)
    plt.close(fig)

    filters = model[0].weight.detach().numpy()[:, 0]           # (16, 3, 3)
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
    for k, ax in enumerate(axes.flat):
        ax.imshow(filters[k], cmap="gray")
        ax.set_axis_off()
    fig.suptitle("first layer: the 16 learned 3x3 filters")
    fig.tight_layout()
    fig.savefig(out_file(args, "digits_filters.png"), dpi=100)
    plt.close(fig)
    print(f"plots written to {out_file(args, 'digits_confusion.png').parent}")
