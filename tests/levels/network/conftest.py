"""What the torch checks of the network kind share: the exported network as a torch model."""

import pytest


@pytest.fixture
def torch_model():
    """Build the network ``export_level`` describes as a float64 ``nn.Sequential`` of
    ``nn.Linear`` layers (W out x in, as exported) and the level's activation."""
    torch = pytest.importorskip("torch")
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}

    def build(data: dict):
        modules = []
        for k, layer in enumerate(data["layers"]):
            W = torch.tensor(layer["W"], dtype=torch.float64)
            linear = torch.nn.Linear(W.shape[1], W.shape[0]).double()
            with torch.no_grad():
                linear.weight.copy_(W)
                linear.bias.copy_(torch.tensor(layer["b"], dtype=torch.float64))
            modules.append(linear)
            if k < len(data["layers"]) - 1:
                modules.append(act[data["activation"]]())
        return torch.nn.Sequential(*modules)

    return build
