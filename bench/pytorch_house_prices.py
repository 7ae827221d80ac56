#!/usr/bin/env python3
"""d2l's Kaggle house-price recipe in PyTorch eager, for comparison with `nnc train`.

Preprocessing is d2l's (chapter "Predicting House Prices on Kaggle"): the features of train.csv
and test.csv are concatenated; numeric columns are standardized with mean/std over both, missing
numbers become 0, and categorical columns are one-hot encoded with get_dummies(dummy_na=True).
With pandas < 2.0 that gives 331 features (pandas >= 2.0 reads the string "None" as missing: 330).
K-fold uses d2l's contiguous folds (get_k_fold_data).

Recipes:
  linear  d2l's own: nn.Linear(331, 1), MSE on raw prices, Adam(lr=5, weight_decay=0)
  mlp     the nnc example generated-examples/house_prices.nn as `nnc train --log-target` trains
          it: 331 -> 256 -> ReLU -> dropout 0.2 -> 1, xavier_uniform weights, zero biases, MSE on
          the standardized log price (mean/std of each fold's training rows), SGD(lr=0.01,
          momentum=0.9, weight_decay=1e-4), batches of 64 reshuffled every epoch

Other MLP variants: --target raw|log|log-std, --optimizer adam|sgd, --lr, --weight-decay.
Timing: one thread by default (--threads); the script times itself from before `import torch`.

Usage: python3 bench/pytorch_house_prices.py [--recipe mlp|linear] [--data DIR] [options]
       (DIR holds train.csv and test.csv; default ../shared/data/house-prices from the project)

Needs Debian's python3-torch and python3-pandas (1.5.3 here), run with /usr/bin/python3.
"""
import argparse
import os
import time

t_start = time.perf_counter()

import numpy as np
import pandas as pd
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--recipe", choices=["mlp", "linear"], default="mlp")
p.add_argument("--optimizer", choices=["adam", "sgd"], default=None, help="default: adam for linear, sgd for mlp")
p.add_argument("--momentum", type=float, default=0.9, help="for sgd")
p.add_argument("--lr", type=float, default=None)
p.add_argument("--weight-decay", type=float, default=None)
p.add_argument("--dropout", type=float, default=0.2)
p.add_argument("--hidden", type=int, default=256)
p.add_argument("--epochs", type=int, default=100)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--k", type=int, default=5)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--target", choices=["raw", "log", "log-std"], default=None,
               help="what the net is trained to predict: the price, its log, or its standardized log (default: raw for linear, log-std for mlp)")
p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "house-prices"))
a = p.parse_args()
if a.optimizer is None:
    a.optimizer = "adam" if a.recipe == "linear" else "sgd"
if a.lr is None:
    a.lr = 5.0 if a.recipe == "linear" else 0.01
if a.weight_decay is None:
    a.weight_decay = 0.0 if a.recipe == "linear" else 1e-4
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

train_data = pd.read_csv(os.path.join(a.data, "train.csv"))
test_data = pd.read_csv(os.path.join(a.data, "test.csv"))
all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
numeric_features = all_features.dtypes[all_features.dtypes != "object"].index
all_features[numeric_features] = all_features[numeric_features].apply(lambda x: (x - x.mean()) / (x.std()))
all_features[numeric_features] = all_features[numeric_features].fillna(0)
all_features = pd.get_dummies(all_features, dummy_na=True)
n_train = train_data.shape[0]
train_features = torch.tensor(all_features[:n_train].values.astype(np.float32))
train_labels = torch.tensor(train_data.SalePrice.values.reshape(-1, 1), dtype=torch.float32)
in_features = train_features.shape[1]
if a.target is None:
    a.target = "raw" if a.recipe == "linear" else "log-std"


def get_net():
    if a.recipe == "linear":
        return nn.Sequential(nn.Linear(in_features, 1))
    net = nn.Sequential(nn.Linear(in_features, a.hidden), nn.ReLU(), nn.Dropout(a.dropout), nn.Linear(a.hidden, 1))
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def log_rmse(net, features, labels, mu, sd):
    """d2l's log_rmse: predictions below 1 are clipped to 1 before the log."""
    with torch.no_grad():
        out = net(features)
        if a.target == "raw":
            log_pred = torch.log(torch.clamp(out, 1, float("inf")))
        else:  # the net predicts the (standardized) log price
            log_pred = torch.clamp(out * sd + mu, 0, float("inf"))
        return torch.sqrt(nn.functional.mse_loss(log_pred, torch.log(labels))).item()


def train(net, train_features, train_labels, test_features, test_labels):
    mu, sd = 0.0, 1.0
    if a.target == "raw":
        y = train_labels
    else:
        y = torch.log(train_labels)
        if a.target == "log-std":  # statistics of this fold's training rows
            mu, sd = y.mean().item(), y.std().item()
            y = (y - mu) / sd
    ds = torch.utils.data.TensorDataset(train_features, y)
    it = torch.utils.data.DataLoader(ds, a.batch, shuffle=True)
    if a.optimizer == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)
    loss = nn.MSELoss()
    for _ in range(a.epochs):
        net.train()
        for X, Y in it:
            opt.zero_grad()
            l = loss(net(X), Y)
            l.backward()
            opt.step()
    net.eval()
    return log_rmse(net, train_features, train_labels, mu, sd), log_rmse(net, test_features, test_labels, mu, sd)


def get_k_fold_data(k, i, X, y):  # d2l: contiguous folds, the remainder rows unused
    fold_size = X.shape[0] // k
    X_train, y_train = None, None
    for j in range(k):
        idx = slice(j * fold_size, (j + 1) * fold_size)
        X_part, y_part = X[idx, :], y[idx]
        if j == i:
            X_valid, y_valid = X_part, y_part
        elif X_train is None:
            X_train, y_train = X_part, y_part
        else:
            X_train = torch.cat([X_train, X_part], 0)
            y_train = torch.cat([y_train, y_part], 0)
    return X_train, y_train, X_valid, y_valid


t_train = time.perf_counter()
train_sum, valid_sum = 0.0, 0.0
for i in range(a.k):
    net = get_net()
    tr, va = train(net, *get_k_fold_data(a.k, i, train_features, train_labels))
    train_sum += tr
    valid_sum += va
    print(f"fold {i + 1}: train log-rmse {tr:.4f}, validation log-rmse {va:.4f}")
t_end = time.perf_counter()
print(f"{a.k}-fold average: train log-rmse {train_sum / a.k:.4f}, validation log-rmse {valid_sum / a.k:.4f}")
print(f"recipe {a.recipe}: {in_features} features, {a.optimizer} lr {a.lr}, weight decay {a.weight_decay}, "
      f"target {a.target}, {a.epochs} epochs, batch {a.batch}, torch {torch.__version__} pandas {pd.__version__}, {torch.get_num_threads()} thread(s)")
print(f"time: {t_end - t_start:.2f} s in this script ({t_end - t_train:.2f} s training, {t_train - t_start:.2f} s imports and preprocessing)")
